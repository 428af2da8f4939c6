"""argon2 runs off the hub, one computation at a time: a burst of logins
queues for the hashing slot without freezing the service's other workers."""
import threading
import time

import eventlet

from identity.entrypoints import steps


def test_hashes_run_one_at_a_time_and_the_hub_keeps_serving_meanwhile():
    running, most, lock = [0], [0], threading.Lock()

    def hashing():  # stands in for argon2: CPU in a real thread
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.1)
        with lock:
            running[0] -= 1
        return True

    def tick():
        for _ in range(10):
            eventlet.sleep(0.01)
        return time.monotonic()

    logins = [eventlet.spawn(steps.off_the_hub, hashing) for _ in range(4)]
    ticking = eventlet.spawn(tick)
    assert [login.wait() for login in logins] == [True] * 4
    logins_done = time.monotonic()
    assert most[0] == steps.HASHING_SLOTS == 1
    assert ticking.wait() < logins_done - 0.2  # another worker ran while the hashes waited and ran
