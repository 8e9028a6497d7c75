// Composition root: replaced by the CLI and MCP host.
return 0;
