"""my-chaos-plugin: the example plugin of the chaos plugin development guide."""
