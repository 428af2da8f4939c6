"""The billing service's entrypoints, one mixin per section."""
