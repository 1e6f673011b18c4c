"""The worker's MQTT connection, in a child process of its own (ADR 0022).

paho-mqtt is pure Python: reading a PUBLISH, decoding its properties and queueing its PUBACK costs about as much
interpreter time as parsing and storing the message. In the worker's process the two would take turns on one
interpreter lock; in a child process they run on two cores. The child holds the connection and nothing else (no
database, no Django): its network thread (paho's `loop_start`) reads the socket, answers pings and reconnects with
back-off; a forwarding thread sends what arrived to the worker every few milliseconds, in the order it arrived; its
main thread reads the worker's acknowledgements and hands them to paho, in the order given.

One pipe both ways (`multiprocessing.Pipe`, pickled tuples), so events and messages arrive in the order they
happened:
- child to worker: `("messages", [(mid, qos, topic, payload, generation), ...])`, `("connected", generation,
  session_present)`, `("disconnected", generation, reason)`, `("dropped", count)` (acknowledgements that arrived
  after their connection dropped: redelivered by the broker, never acknowledged on the next connection);
- worker to child: `("ack", [(mid, qos, generation), ...])` and `("stop",)`: acknowledge what came before, send
  DISCONNECT (the session stays on the broker), exit.

The child never acknowledges on its own. If the worker dies (kill -9), the pipe closes and the child exits at once
without a word to the broker: whatever was not acknowledged is redelivered to the next worker. The child ignores
SIGTERM and SIGINT (a service manager or a terminal signals the whole group): the worker decides when it stops, so
that what it committed is acknowledged first.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from confiance.devices.adapters.mqtt.config import MqttConfig

log = logging.getLogger("confiance.devices.mqtt")

FORWARD_MAX = 1000  # messages per pipe message
FORWARD_IDLE_S = 0.002  # the forwarding thread's sleep when nothing arrived: at most 2 ms added to a message's way
PR_SET_PDEATHSIG = 1

Message = tuple[int, int, str | None, bytes, int]  # mid, qos, topic (None: not UTF-8), payload, generation
Ack = tuple[int, int, int]  # mid, qos, generation


def mqtt_client(config: MqttConfig, **callbacks) -> mqtt.Client:
    """The paho client of the worker: MQTT 5, manual acknowledgements, reconnection with back-off."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=config.client_id, protocol=mqtt.MQTTv5,
                         manual_ack=True)
    if config.username:
        client.username_pw_set(config.username, config.password)
    if config.tls:
        client.tls_set()
    client.reconnect_delay_set(min_delay=config.reconnect_min_s, max_delay=config.reconnect_max_s)
    for name, callback in callbacks.items():
        setattr(client, name, callback)
    return client


def connect_properties(config: MqttConfig) -> Properties:
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = config.session_expiry_s
    properties.ReceiveMaximum = config.receive_maximum
    return properties


class _Connection:
    """The child's side: the paho client, the forwarding thread, the acknowledgements."""

    def __init__(self, config: MqttConfig, pipe: Connection) -> None:
        self.config, self.pipe = config, pipe
        self.arrived: deque[Message] = deque()
        self.generation = 0
        self.connected = False
        self.lock = threading.Lock()  # the generation does not change while acknowledgements are handed to paho
        self.send_lock = threading.Lock()
        self.forward_lock = threading.Lock()  # one thread forwards at a time, so the order holds
        self.stopping = threading.Event()
        self.client = mqtt_client(config, on_connect=self._on_connect, on_disconnect=self._on_disconnect,
                                  on_message=self._on_message, on_connect_fail=self._on_connect_fail)

    def _send(self, item: tuple) -> None:
        with self.send_lock:
            self.pipe.send(item)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("MQTT connection refused: %s", reason_code)
            return
        with self.lock:
            self.forward()  # what came on the previous connection goes before the news of this one
            self.generation += 1
            self.connected = True
            self._send(("connected", self.generation, bool(flags.session_present)))
        log.info("MQTT connected to %s:%s as %s (session present: %s), subscribing to %s", self.config.host,
                 self.config.port, self.config.client_id, flags.session_present, self.config.topic_filters)
        client.subscribe([(topic, SubscribeOptions(qos=1)) for topic in self.config.topic_filters])

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        with self.lock:
            self.forward()
            self.generation += 1
            self.connected = False
            self._send(("disconnected", self.generation, str(reason_code)))
        if not self.stopping.is_set():
            log.warning("MQTT disconnected (%s); paho reconnects with back-off", reason_code)

    def _on_connect_fail(self, client, userdata) -> None:
        log.warning("MQTT broker %s:%s unreachable; retrying with back-off", self.config.host, self.config.port)

    def _on_message(self, client, userdata, message) -> None:
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = None
        self.arrived.append((message.mid, message.qos, topic, message.payload, self.generation))

    def forward(self) -> bool:
        """Send what arrived (in pieces of FORWARD_MAX); False when nothing had."""
        arrived = self.arrived
        sent = False
        with self.forward_lock:
            while arrived:
                count = min(len(arrived), FORWARD_MAX)
                self._send(("messages", [arrived.popleft() for _ in range(count)]))
                sent = True
        return sent

    def _forwarding(self) -> None:
        try:
            while not self.stopping.is_set():
                if not self.forward():
                    time.sleep(FORWARD_IDLE_S)
        except (BrokenPipeError, ConnectionResetError, EOFError):  # the worker is gone
            os._exit(0)

    def _acknowledge(self, acks: list[Ack]) -> None:
        dropped = 0
        with self.lock:
            for mid, qos, generation in acks:
                if generation == self.generation and self.connected:
                    self.client.ack(mid, qos)
                else:
                    dropped += 1
        if dropped:
            self._send(("dropped", dropped))

    def run(self) -> None:
        config = self.config
        self.client.connect_async(config.host, config.port, keepalive=config.keepalive_s, clean_start=False,
                                  properties=connect_properties(config))
        self.client.loop_start()
        threading.Thread(target=self._forwarding, name="confiance-mqtt-forward", daemon=True).start()
        try:
            while True:
                request = self.pipe.recv()
                if request[0] == "ack":
                    self._acknowledge(request[1])
                elif request[0] == "stop":
                    break
        except (EOFError, ConnectionResetError, OSError):  # the worker died: say nothing more to the broker
            os._exit(0)
        self.stopping.set()
        self.client.disconnect()  # after the PUBACKs queued before it
        self.client.loop_stop()
        self.pipe.close()


def _die_with_parent() -> None:
    """Linux: the kernel sends SIGKILL to the child when the worker ends, whatever the way (the pipe's end of file
    does it too, once read; this covers a child busy elsewhere). The signal follows the thread that forked, so the
    worker forks from the thread that runs it to the end (`IngestWorker.run`)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(config: MqttConfig, pipe: Connection, other: Connection, parent: int) -> None:
    other.close()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != parent:  # the worker ended before the line above
        os._exit(0)
    _Connection(config, pipe).run()


class Receiver:
    """The worker's side: starts the child, hands each event to `on_event` on a thread of its own (the reading
    thread), and sends acknowledgements."""

    def __init__(self, config: MqttConfig, on_event: Callable[[tuple], None]) -> None:
        self.config, self.on_event = config, on_event
        self.process: multiprocessing.process.BaseProcess | None = None
        self.pipe: Connection | None = None
        self.reader: threading.Thread | None = None
        self.send_lock = threading.Lock()
        self.stopping = False
        self.ended = threading.Event()  # the child is gone (stopped, or died)

    def start(self) -> None:
        """Fork the child. The caller holds no database connection and has started no thread of its own yet."""
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe(duplex=True)
        self.process = context.Process(target=_child, args=(self.config, theirs, ours, os.getpid()),
                                       name="confiance-mqtt-connection", daemon=True)
        self.process.start()
        theirs.close()
        self.pipe = ours
        self.reader = threading.Thread(target=self._read, name="confiance-mqtt-read", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.pipe is not None
        try:
            while True:
                self.on_event(self.pipe.recv())
        except (EOFError, OSError):
            if not self.stopping:
                log.error("the MQTT connection process ended unexpectedly")
        finally:
            self.ended.set()

    def ack(self, acks: list[Ack]) -> None:
        if not acks or self.pipe is None:
            return
        with self.send_lock:
            self.pipe.send(("ack", acks))

    def stop(self, timeout: float = 30) -> None:
        """Acknowledgements sent before go out, then DISCONNECT; waits for the child (killed after `timeout`)."""
        if self.process is None or self.pipe is None:
            return
        self.stopping = True
        with self.send_lock, contextlib.suppress(OSError):
            self.pipe.send(("stop",))
        self.process.join(timeout)
        if self.process.is_alive():
            log.error("the MQTT connection process did not stop within %s s: killed", timeout)
            self.process.kill()
            self.process.join()
        self.ended.wait(timeout)
        self.pipe.close()
