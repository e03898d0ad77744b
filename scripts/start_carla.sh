#!/usr/bin/env bash
# Start a headless CARLA server (0.9.15/0.9.16) and wait until it answers.
#
#   scripts/start_carla.sh [--carla-root DIR] [--port 2000] [--gpu 0] [--count 1] [--timeout 120] [--docker]
#
# --carla-root  an unpacked CARLA release (default: $CARLA_ROOT, else /opt/carla-simulator)
# --port        the RPC port; the next two ports are taken too (streaming, traffic manager)
# --gpu         the GPU to render on. CARLA ignores CUDA_VISIBLE_DEVICES: the Vulkan device is
#               chosen with -graphicsadapter=N (and NVIDIA_VISIBLE_DEVICES in Docker)
# --count       servers to start, one per GPU: server i on port PORT+3i and GPU GPU+i, as the
#               Ray workers of `drivecert sweep --ray` expect (worker i uses port PORT+3i)
# --docker      run the carlasim/carla:0.9.16 image (needs the NVIDIA container toolkit)
#
# Then point drivecert at it: drivecert run ... --renderer carla --carla-port PORT
# (or DRIVECERT_CARLA_HOST / DRIVECERT_CARLA_PORT). Exits non-zero if a server does not answer.
set -euo pipefail

root=${CARLA_ROOT:-/opt/carla-simulator}
port=2000
gpu=0
count=1
timeout=120
docker=0
while [ $# -gt 0 ]; do
  case "$1" in
    --carla-root) root=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --gpu) gpu=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --docker) docker=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "start_carla: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

python=${PYTHON:-$(dirname "$0")/../.venv/bin/python}
[ -x "$python" ] || python=python3

start_one() {  # start_one PORT GPU: launch one server and wait until it answers
  local port=$1 gpu=$2
  local flags=(-RenderOffScreen -nosound "-carla-rpc-port=$port" "-graphicsadapter=$gpu")
  local log
  log=$(mktemp -t carla.XXXXXX.log)
  if [ "$docker" = 1 ]; then
    command -v docker >/dev/null || { echo "start_carla: docker is not installed" >&2; exit 2; }
    docker run -d --rm --name "drivecert-carla-$port" --net=host --gpus "device=$gpu" \
      -e "NVIDIA_VISIBLE_DEVICES=$gpu" carlasim/carla:0.9.16 bash CarlaUE4.sh "${flags[@]}" >"$log"
  else
    local launcher="$root/CarlaUE4.sh"
    [ -x "$launcher" ] || { echo "start_carla: no CARLA at $root (set --carla-root or CARLA_ROOT; releases: https://github.com/carla-simulator/carla/releases)" >&2; exit 2; }
    nohup "$launcher" "${flags[@]}" >"$log" 2>&1 &
    echo "start_carla: server pid $! on port $port, GPU $gpu, log $log"
  fi

  local deadline=$((SECONDS + timeout))
  until "$python" - "$port" <<'PY' 2>/dev/null
import sys
import carla
client = carla.Client("127.0.0.1", int(sys.argv[1]))
client.set_timeout(5.0)
print("start_carla: server", client.get_server_version(), "answers on port", sys.argv[1])
PY
  do
    if [ $SECONDS -ge $deadline ]; then
      echo "start_carla: no answer on port $port after ${timeout}s; see $log" >&2
      exit 1
    fi
    sleep 3
  done
}

for ((i = 0; i < count; i++)); do
  start_one $((port + 3 * i)) $((gpu + i))
done
