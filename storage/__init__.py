"""SQLite storage: one Storage object owning the connection, one module per noun."""

from storage.database import Storage, StorageError

__all__ = ["Storage", "StorageError"]
