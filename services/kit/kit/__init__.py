"""The small kit every service of the portal uses: configuration, database
sessions with an outbox and UTC timestamps, errors that cross the RPC
boundary, input validation, metrics."""
