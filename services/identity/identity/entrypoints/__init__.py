"""The entrypoints of IdentityService, one module per section, each a mixin
the service class assembles; the steps they share are in `steps`."""
