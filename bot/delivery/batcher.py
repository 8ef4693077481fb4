"""Many deliveries' database work run as one set-based unit: one commit for many."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from bot.db import SessionFactory, in_thread

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batcher(Generic[Item, Result]):
    """Runs many deliveries' database work as one set-based unit: one commit for many.

    ``work(session, items)`` returns one result per item (an exception instance is raised
    to that item's caller). Items that arrive within a few milliseconds share a batch
    (SQLite has one writer at a time, and each commit costs a sync); if a batch fails, its
    items are run again one by one, so one bad row never costs the others.
    """

    def __init__(
        self,
        sessions: SessionFactory,
        work: Callable[[Session, list[Item]], list[Any]],
        *,
        delay: float = 0.005,
        size: int = 64,
    ) -> None:
        self._sessions = sessions
        self._work = work
        self._delay = delay
        self._size = size
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def run(self, item: Item) -> Result:
        """Put ``item`` in the next batch; its result once committed."""
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        while self._pending:
            if len(self._pending) < self._size:
                await asyncio.sleep(self._delay)  # let work arriving now join this batch
            batch, self._pending = self._pending[: self._size], self._pending[self._size :]
            try:
                results = await self._commit([item for item, _ in batch])
            except Exception:  # noqa: BLE001 - retried one by one below, errors kept per row
                for item, done in batch:
                    try:
                        [result] = await self._commit([item])
                    except Exception as error:  # noqa: BLE001 - handed to the one who waits
                        _settle(done, error)
                    else:
                        _settle(done, result)
                continue
            for (_, done), result in zip(batch, results, strict=True):
                _settle(done, result)

    async def _commit(self, items: list[Item]) -> list[Any]:
        return await in_thread(self._sessions, lambda session: self._work(session, items))

    async def close(self) -> None:
        """Wait until everything queued is committed."""
        if self._flushing is not None:
            await self._flushing


def _settle(done: asyncio.Future[Any], result: Any) -> None:
    if done.done():  # its caller may have been cancelled meanwhile
        return
    if isinstance(result, BaseException):
        done.set_exception(result)
    else:
        done.set_result(result)
