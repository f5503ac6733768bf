"""The ``my-role`` role: a legacy function role that ensures one directory exists."""

import os

from pyinfra.operations import files


def my_role_function(state, host, chobolo_path, skip_confirm):
    """
    A simple role that ensures a directory exists.
    """
    # In a real role, you would load data from the chobolo_path
    # from omegaconf import OmegaConf
    # config = OmegaConf.load(chobolo_path)
    # my_dirs = config.get('my_role_dirs', [])

    # MY_ROLE_DIR only exists so tests can point the role at a scratch directory.
    path = os.environ.get("MY_ROLE_DIR", "/tmp/my-role-dir")
    # The guide calls `server.dir`, which pyinfra 3 does not have; `files.directory` is the
    # operation that does what the guide describes.
    files.directory(
        name=f"Ensure {path} exists",
        path=path,
        present=True,
        user="root",
        mode="755",
    )


# This is the object that will be exposed to `chaos init chobolo`
my_role_keys = [
    {
        "my_role_dirs": [
            "/tmp/dir1",
            "/tmp/dir2",
        ]
    }
]
