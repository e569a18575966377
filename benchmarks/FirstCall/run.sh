#!/usr/bin/env bash
# First-call cost of StaticNets: publishes benchmarks/FirstCall as JIT, ReadyToRun and NativeAOT builds, runs
# every variant RUNS times in fresh processes (interleaved, so load from other jobs spreads over all of them),
# and prints the medians as a Markdown table. Usage: benchmarks/FirstCall/run.sh [RUNS] (default 7).
# Needs the SDK's ReadyToRun compiler and NativeAOT packages (restored from NuGet on first use) and clang.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

publish() { # name, extra properties…
  local name=$1; shift
  dotnet publish benchmarks/FirstCall -c Release -o "$out/$name" "$@" >"$out/$name.log" 2>&1 \
    || { cat "$out/$name.log"; exit 1; }
}
publish jit
publish r2r -p:FirstCallMode=r2r
publish r2r-v4 -p:FirstCallMode=r2r "-p:PublishReadyToRunCrossgen2ExtraArgs=--instruction-set:x86-64-v4"
publish aot -p:FirstCallMode=aot
publish aot-native -p:FirstCallMode=aot -p:FirstCallIlcInstructionSet=native

# variant | command | environment
variants=(
  "JIT, defaults (tiered, TieredPGO on)|dotnet $out/jit/FirstCall.dll|"
  "JIT, DOTNET_TieredPGO=0|dotnet $out/jit/FirstCall.dll|DOTNET_TieredPGO=0"
  "JIT, DOTNET_TC_QuickJitForLoops=0|dotnet $out/jit/FirstCall.dll|DOTNET_TC_QuickJitForLoops=0"
  "JIT, DOTNET_TieredCompilation=0|dotnet $out/jit/FirstCall.dll|DOTNET_TieredCompilation=0"
  "ReadyToRun|dotnet $out/r2r/FirstCall.dll|"
  "ReadyToRun, DOTNET_TieredPGO=0|dotnet $out/r2r/FirstCall.dll|DOTNET_TieredPGO=0"
  "ReadyToRun, crossgen2 --instruction-set:x86-64-v4|dotnet $out/r2r-v4/FirstCall.dll|"
  "ReadyToRun x86-64-v4, DOTNET_TieredCompilation=0|dotnet $out/r2r-v4/FirstCall.dll|DOTNET_TieredCompilation=0"
  "NativeAOT (default ISA)|$out/aot/FirstCall|"
  "NativeAOT, IlcInstructionSet=native|$out/aot-native/FirstCall|"
)
for ((r = 0; r < runs; r++)); do
  for i in "${!variants[@]}"; do
    IFS='|' read -r name command environment <<<"${variants[$i]}"
    if ! line=$(env $environment $command 2>&1); then
      echo "run $r of '$name' failed: $line" >&2
      exit 1
    fi
    echo "$i $line" >>"$out/results"
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { grep "^$1 " "$out/results" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
echo "| variant | first 40-epoch Fit (ms) | second Fit (ms) | warm Fit (ms) | process start to Main (ms) | data load (ms) | Vector512 used |"
echo "| --- | --: | --: | --: | --: | --: | --- |"
for i in "${!variants[@]}"; do
  IFS='|' read -r name _ _ <<<"${variants[$i]}"
  echo "| $name | $(field "$i" first_fit_ms | median) | $(field "$i" second_fit_ms | median) | $(field "$i" warm_fit_ms | median) | $(field "$i" start_ms | median) | $(field "$i" load_ms | median) | $(field "$i" vector512 | head -1) |"
done
echo
echo "$runs runs per variant, medians; $(date -u +%Y-%m-%d); $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
