using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace ProxyMcp.Cli;

/// <summary>All logs go to stderr: on the stdio transport stdout carries nothing but protocol.</summary>
public static class StderrLogging
{
    public static ILoggingBuilder Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss ";
            options.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        logging.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // The SDK logs every request at Information; only its warnings help someone reading stderr.
        logging.AddFilter("ModelContextProtocol", LogLevel.Warning);
        return logging;
    }

    public static ILoggerFactory CreateFactory() => LoggerFactory.Create(builder => Configure(builder));
}
