#!/usr/bin/env bash
# Builds index-objects, api and training-events as one native executable on this machine, with the
# native-image toolchain assembled from Temurin 25 (JVMCI) and GraalVM's builder jars (docs/native.md).
# The result, target/function.zip (bootstrap) and target/native/*-runner, links dynamically against
# Temurin 25's shared JDK libraries: it runs here, for checks and figures, not on AWS. Binaries for AWS:
# ./mvnw package -Dnative -Dquarkus.native.container-build=true (Docker) or with a Mandrel/GraalVM install.
#
#   infra/native/build.sh [extra Maven arguments]
#
# Environment: NATIVE_TOOLCHAIN_HOME (default ~/.cache/cxr-native-toolchain), NATIVE_TOOLCHAIN_SETUP (the
# toolchain's setup script, default ../shared/tools/native-toolchain/setup beside the project), TEMURIN25 (default
# /usr/lib/jvm/temurin-25-jdk-amd64), NATIVE_IMAGE_JAVA_OPTS (the builder's heap, default -Xmx8g).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
toolchain=${NATIVE_TOOLCHAIN_HOME:-$HOME/.cache/cxr-native-toolchain}
setup=${NATIVE_TOOLCHAIN_SETUP:-$root/../shared/tools/native-toolchain/setup}
jdk=${TEMURIN25:-/usr/lib/jvm/temurin-25-jdk-amd64}

if [ ! -x "$toolchain/graalvm-home/bin/native-image" ]; then
  [ -x "$setup" ] || { echo "build.sh: no native-image toolchain at $toolchain and no setup script at $setup" >&2; exit 2; }
  echo "build.sh: assembling the native-image toolchain ($setup)" >&2
  NATIVE_TOOLCHAIN_HOME=$toolchain TEMURIN25=$jdk MVN=$root/mvnw "$setup"
fi

cd "$root"
# The builder takes both cores for minutes: nice keeps the machine usable.
NATIVE_IMAGE_JAVA_OPTS=${NATIVE_IMAGE_JAVA_OPTS:--Xmx8g} exec nice -n 10 ./mvnw -B package -Dnative \
  -Dquarkus.native.graalvm-home="$toolchain/graalvm-home" -Dquarkus.native.java-home="$jdk" "$@"
