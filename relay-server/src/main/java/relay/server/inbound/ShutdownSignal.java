package relay.server.inbound;

/** The user event a closing listener fires into each open connection's pipeline. */
enum ShutdownSignal {
  INSTANCE
}
