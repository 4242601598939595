#!/usr/bin/env bash
# The tests: finds JDK 25 (scripts/jdk.sh) whatever `java` is first on PATH, then runs `./mvnw -B test`.
# Extra arguments go to Maven, e.g. ./test.sh -pl svdd -Dtest=CompareCommandTest
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
. scripts/jdk.sh
svdd_find_jdk25 || exit 1
exec ./mvnw -B test "$@"
