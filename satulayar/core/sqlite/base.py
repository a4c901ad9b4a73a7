"""SQLite with its connections kept for reuse within the process.

Under ASGI every request runs its sync code in a thread of its own, so Django opens a connection per request and
closes it after; on SQLite the first statement on a new connection also reads and parses the whole schema (about
1,5 ms of a 10 ms punch POST). Closed connections wait here instead, and the next request's thread takes one.
A connection is handed back only outside any transaction and only while its file is the one it was opened on
(a test database made again, a restore that replaced the file: then it is closed for good).
"""

import os
import queue
import threading

from django.db.backends.sqlite3 import base

IDLE_MAX = 8  # per database file; more idle connections than concurrent requests would only hold file handles

_pools: dict[str, queue.LifoQueue] = {}
_pools_lock = threading.Lock()


def _pool(name: str) -> queue.LifoQueue:
    with _pools_lock:
        return _pools.setdefault(name, queue.LifoQueue(IDLE_MAX))


def _inode(name: str) -> int | None:
    try:
        return os.stat(name).st_ino
    except OSError:
        return None


class DatabaseWrapper(base.DatabaseWrapper):
    def _pooled(self) -> bool:
        return not self.is_in_memory_db()

    def get_new_connection(self, conn_params):
        if self._pooled():
            name = str(self.settings_dict["NAME"])
            pool = _pool(name)
            while True:
                try:
                    connection, inode = pool.get_nowait()
                except queue.Empty:
                    break
                if inode is not None and inode == _inode(name):
                    connection.execute("PRAGMA foreign_keys = ON")  # as a new one has it
                    return connection
                connection.close()
        return super().get_new_connection(conn_params)

    def _close(self):
        if self.connection is None or not self._pooled():
            return super()._close()
        connection = self.connection
        if connection.in_transaction:
            connection.rollback()
        name = str(self.settings_dict["NAME"])
        try:
            _pool(name).put_nowait((connection, _inode(name)))
        except queue.Full:
            connection.close()
