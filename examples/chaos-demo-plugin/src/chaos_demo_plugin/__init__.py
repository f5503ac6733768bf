"""chaos-demo-plugin: small roles that exercise every path of ``chaos apply``.

- ``demo-files``: a lifecycle role keeping a directory's files equal to the Ch-obolo.
- ``demo-legacy``: a legacy function role that prompts (unless ``-y``) and creates a marker.
- ``demo-fail``: plans an operation that fails when executed.
- ``demo-raise``: raises while computing its delta.
"""
