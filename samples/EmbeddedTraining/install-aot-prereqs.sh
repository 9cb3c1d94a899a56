#!/bin/sh
# Installs what NativeAOT needs to link on Debian/Ubuntu: clang (the linker driver) and zlib's headers and library.
# Run once, as root (or with sudo), before: dotnet publish -c Release -r linux-x64 -p:PublishAot=true
set -e
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update
$SUDO apt-get install -y clang zlib1g-dev
