#!/usr/bin/env bash
# SSPR: the two commands of the README.
#   ./sspr.sh start [server options]   set up, build, start the product with the demo directory
#   ./sspr.sh test                     set up, build, run every test
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
case "${1:-}" in
    start) shift; exec "$here/scripts/start.sh" "$@" ;;
    test) shift; exec "$here/scripts/test.sh" "$@" ;;
    *)
        echo "usage: ./sspr.sh start [--listen ADDR] [--config FILE] ...   or   ./sspr.sh test" >&2
        exit 2
        ;;
esac
