"""The families' private document safe (coffre-fort): documents' bytes in an
object store, their metadata and who opened them in the service's database."""
