#!/bin/sh
# The README's main command: install what is missing, build, and run Vireo's main job.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/bootstrap.sh"
sh "$top/scripts/build.sh" "$top/build"
echo "vireo: built in $top/build. (The service and VM arrive with the next issues.)"
