using System.Net;
using ProxyMcp.Interceptors.Linking;

namespace ProxyMcp.Interceptors.Tests.Linking;

public sealed class ProcNetTcpTests
{
    // Real lines from a little-endian Linux host (header, a listener, an established client, a TIME_WAIT leftover).
    private static readonly string[] Tcp4 =
    [
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        "   0: 0100007F:A8A1 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1834561 1 0000000000000000 100 0 0 10 0",
        "   1: 0100007F:D3B2 0100007F:A8A1 01 00000000:00000000 00:00000000 00000000     0        0 1834907 1 0000000000000000 20 4 30 10 -1",
        "   2: 0100007F:D3B4 0100007F:A8A1 06 00000000:00000000 03:000016E0 00000000     0        0 0 3 0000000000000000",
    ];

    private static readonly string[] Tcp6 =
    [
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2201 1 0000000000000000 100 0 0 10 0",
        "   1: 0000000000000000FFFF00000100007F:C001 0000000000000000FFFF00000100007F:A8A1 01 00000000:00000000 00:00000000 00000000     0        0 2202 1 0000000000000000 20 4 30 10 -1",
    ];

    [Fact]
    public void Finds_the_inode_of_an_ipv4_client_socket()
    {
        var inodes = ProcNetTcp.FindInodes(Tcp4, IPEndPoint.Parse("127.0.0.1:54194")).ToList();

        Assert.Equal([1834907L], inodes);
    }

    [Fact]
    public void Skips_sockets_without_an_inode_and_the_header()
    {
        Assert.Empty(ProcNetTcp.FindInodes(Tcp4, IPEndPoint.Parse("127.0.0.1:54196")));
        Assert.False(ProcNetTcp.TryParseLine(Tcp4[0], out _, out _));
    }

    [Fact]
    public void Parses_ipv6_and_matches_ipv4_mapped_addresses_as_ipv4()
    {
        Assert.True(ProcNetTcp.TryParseLine(Tcp6[2], out var mapped, out var inode));
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:49153"), mapped);
        Assert.Equal(2202, inode);

        // A dual-mode listener reports the client as ::ffff:127.0.0.1; both spellings find the socket.
        Assert.Equal([2202L], ProcNetTcp.FindInodes(Tcp6, IPEndPoint.Parse("[::ffff:127.0.0.1]:49153")));
        Assert.Equal([2202L], ProcNetTcp.FindInodes(Tcp6, IPEndPoint.Parse("127.0.0.1:49153")));

        Assert.True(ProcNetTcp.TryParseLine(Tcp6[1], out var loopback, out _));
        Assert.Equal(IPEndPoint.Parse("[::1]:8080"), loopback);
    }

    [Theory]
    [InlineData("socket:[1834907]", true, 1834907)]
    [InlineData("pipe:[99]", false, 0)]
    [InlineData("/dev/null", false, 0)]
    [InlineData("socket:[]", false, 0)]
    public void Reads_socket_inodes_from_fd_links(string link, bool isSocket, long expected)
    {
        Assert.Equal(isSocket, SocketOwnerLookup.TryParseSocketInode(link, out var inode));
        Assert.Equal(expected, inode);
    }

    [Theory]
    [InlineData("1234 (sleep) S 77 1234 1 0 -1", 77)]
    [InlineData("1234 (my (odd) name) R 88 1234 1 0 -1", 88)]
    [InlineData("garbage", null)]
    public void Reads_the_parent_pid_from_stat(string stat, int? parent)
    {
        Assert.Equal(parent, ProcessTree.ParseParentPid(stat));
    }
}
