"""The small kit every service of the portal uses: configuration, database
sessions with an outbox, errors that cross the RPC boundary, metrics."""
