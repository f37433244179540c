#!/usr/bin/env bash
# `make run`: the whole product on this machine. Starts a local mosquitto on 127.0.0.1:1883 (persistence on,
# queues sized for the demo) when none answers there, a simulated fleet publishing OCPP 1.6, 2.0.1 and EVerest
# traffic at 60× real time, and `wattline run` on the pipeline until Ctrl-C. Data goes to ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
pipeline="${1:-Pipelines/default.yaml}"
wattline=.build/release/wattline
mkdir -p data/broker

"$wattline" check "$pipeline"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

if (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
    echo "run: a broker already answers on 127.0.0.1:1883; using it"
else
    cat > data/broker/mosquitto.conf <<CONF
# Written by scripts/run-local.sh for the demo (see README: broker settings for operators).
listener 1883 127.0.0.1
allow_anonymous true
user $(id -un)
persistence true
persistence_location $PWD/data/broker/
autosave_interval 10
max_queued_messages 1000000
max_inflight_messages 1000
sys_interval 10
log_dest stdout
CONF
    mosquitto -c data/broker/mosquitto.conf > data/broker/mosquitto.log 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && break; sleep 0.1; done
    echo "run: started mosquitto on 127.0.0.1:1883 (log: data/broker/mosquitto.log)"
fi

# The simulated day starts 24 hours ago and runs at 60x, so it ends "now" after 24 minutes: its event times stay
# behind the receive times (never flagged as from the future), and the clock_skew rule reports the simulated lag.
start=$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:%SZ)
"$wattline" simulate --broker mqtt://127.0.0.1:1883 --chargers 12 --sites 3 --duration 1d --speed 60 --start "$start" \
    --fleet-out data/simulated-fleet.yaml > data/simulate.log 2>&1 &
pids+=($!)
echo "run: simulating 12 chargers on 3 sites at 60x from $start (log: data/simulate.log); Ctrl-C stops everything"

# wattline runs in the background so that a signal to this script (Ctrl-C, or `make` being stopped) reaches it
# too; it then disconnects, drains and checkpoints before the broker and the simulator are stopped.
"$wattline" run --pipeline "$pipeline" --data data &
run_pid=$!
trap 'kill -INT "$run_pid" 2>/dev/null || true' INT TERM
while kill -0 "$run_pid" 2>/dev/null; do wait "$run_pid" || true; done
