"""The read path's turns: at most `size` holders, the rest served in arrival order."""

import asyncio

import pytest

from api.kit.database import Turns


async def test_at_most_size_hold_a_turn_and_the_rest_go_in_arrival_order() -> None:
    turns = Turns(2)
    order: list[int] = []
    holding = 0
    most = 0

    async def read(number: int, release: asyncio.Event) -> None:
        nonlocal holding, most
        await turns.take()
        try:
            holding += 1
            most = max(most, holding)
            order.append(number)
            await release.wait()
        finally:
            holding -= 1
            turns.give()

    releases = [asyncio.Event() for _ in range(6)]
    tasks = []
    for number, release in enumerate(releases):
        tasks.append(asyncio.create_task(read(number, release)))
        await asyncio.sleep(0)  # each asks in turn: 0 and 1 take, 2-5 wait in that order
    assert order == [0, 1]
    # Released out of order, the turns still go to the waiters in the order they came.
    for number in (1, 0, 3, 2, 5, 4):
        releases[number].set()
        for _ in range(3):
            await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4, 5]
    assert most == 2


async def test_a_waiter_cancelled_before_its_turn_leaves_the_queue() -> None:
    turns = Turns(1)
    await turns.take()
    waiter = asyncio.create_task(turns.take())
    after = asyncio.create_task(turns.take())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    turns.give()  # goes to the waiter after it, not to the cancelled one
    await asyncio.wait_for(after, 1)
    turns.give()
    await asyncio.wait_for(turns.take(), 1)  # and the one turn is free again, once


async def test_a_waiter_cancelled_as_its_turn_came_passes_the_turn_on() -> None:
    turns = Turns(1)
    await turns.take()
    first = asyncio.create_task(turns.take())
    second = asyncio.create_task(turns.take())
    await asyncio.sleep(0)
    turns.give()  # the turn is handed to `first`...
    first.cancel()  # ...which is cancelled before it runs again
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)  # so `second` holds it
    third = asyncio.create_task(turns.take())
    await asyncio.sleep(0)
    assert not third.done()  # one turn, held by `second`: no turn was lost or made
    turns.give()
    await asyncio.wait_for(third, 1)
