"""Ch-obolo template for ``chaos init chobolo demo-files``."""

demo_files_keys = [
    {
        "demo_files": {
            "root": "/tmp/chaos-demo-files",
            "files": {"hello.txt": "hello from chaos\n"},
        }
    }
]
