# Sourced by svdd.sh, test.sh, .ci/run and the example: sets JAVA_HOME to a JDK 25 and puts it first on PATH,
# whatever `java` the shell has first. Looks in $JAVA_HOME, then /usr/lib/jvm. Returns 1, with one line naming what
# it found and how to fix it, when there is none.
svdd_find_jdk25() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/*25*; do
    if [ -n "$c" ] && [ -x "$c/bin/java" ] && "$c/bin/java" -version 2>&1 | grep -q 'version "25'; then
      export JAVA_HOME="$c" PATH="$c/bin:$PATH"
      return 0
    fi
  done
  local found
  found="$(java -version 2>&1 | head -1 || true)"
  echo "svdd: JDK 25 not found (JAVA_HOME=${JAVA_HOME:-unset}; java on PATH: ${found:-none}); install Temurin 25 and set JAVA_HOME to it (README, Requirements)" >&2
  return 1
}
