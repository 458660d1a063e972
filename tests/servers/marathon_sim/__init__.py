"""Marathon REST API simulator: the one fake of the mctl test suite.

Marathon cannot run here, so integration tests and benchmarks talk to this
server instead. It follows Marathon's REST API documentation (Marathon 1.5+ REST
API, 1.8+ "light" event format): apps with version history, groups,
deployments with steps that disappear when done and never fail by themselves,
tasks that stage, run and turn healthy, 409 locks, 422 bodies, the SSE event
stream with its exact CRLF framing, basic and DC/OS token auth, and
leader/non-leader behaviour. Fault and inspection knobs live under /_sim/
(never part of Marathon, never authenticated). See tests/servers/README.md.

Modules: util (helpers, ApiError), appdef (app definitions and validation), model (Task,
App), events (subscribers, emit), cluster (instances, leadership, outages), tasks (task life
cycle), deployments (plans, steps, locks), state (Sim and its ticker), api (/v2 REST),
faults (/_sim/ knobs), routing (URL -> Api), sse (/v2/events), server (HTTP dispatch,
auth, proxying), main (command line).

Python 3 standard library only.
"""

from .main import main  # noqa: F401
