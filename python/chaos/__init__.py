"""The chaos Python SDK.

Plugins written for the original Ch-aOS tool import their base classes and payload types from
``chaos.lib.*``; this package keeps those import paths working. The native ``chaos`` binary owns
the command line; the Python side only holds what plugin code needs at import and run time.

Importing this package must stay cheap and dependency-free (no pyinfra, no OmegaConf): the role
host imports it before it knows which plugins it will load.
"""

# The one place the version is written: CMakeLists.txt and the wheel metadata read this line.
__version__ = "0.1.0"
