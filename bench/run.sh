#!/usr/bin/env bash
# Load benchmark: no proxy ("direct") vs ProxyMcp ("ours") vs mitmdump ("mitm"),
# against a local nginx over HTTP and HTTPS. Loopback only. See bench/README.md.
set -euo pipefail

# ---------------------------------------------------------------- knobs
ROUNDS="${ROUNDS:-3}"                 # alternating rounds per case
DURATION="${DURATION:-10s}"           # hey -z per measurement
WARMUP="${WARMUP:-8s}"                # hey -z warm-up per target and case (0 = none); .NET needs a few seconds of load to finish tiered JIT
CONC="${CONC:-32}"                    # hey -c for http/https/newconn
CONC_10M="${CONC_10M:-8}"             # hey -c for the 10 MiB download
CASES="${CASES:-http,https,newconn,10m,1g}"
SKIP_MITM="${SKIP_MITM:-0}"
SKIP_OURS="${SKIP_OURS:-0}"
SKIP_BUILD="${SKIP_BUILD:-0}"         # 1 = use the existing Release build
ORIGIN_KEY="${ORIGIN_KEY:-ec}"         # nginx certificate key: ec (P-256, like ProxyMcp's leaves) or rsa (2048)
KEEP_TMP="${KEEP_TMP:-0}"             # 1 = keep the temp dir (logs) for inspection

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESULTS_DIR="$ROOT/bench/results"
OURS_DLL="${OURS_DLL:-$ROOT/src/ProxyMcp/bin/Release/net10.0/proxy-mcp.dll}"   # override (with SKIP_BUILD=1) to bench another build

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

has_case() { [[ ",$CASES," == *",$1,"* ]]; }
dur_s() { # "10s" / "1m" / "500ms" -> integer seconds (rounded up), for timeouts
  local d="$1"
  case "$d" in
    *ms) echo $(( (${d%ms} + 999) / 1000 )) ;;
    *s) echo "${d%s}" ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *) echo "$d" ;;
  esac
}

# ---------------------------------------------------------------- prerequisites
missing=()
command -v nginx    >/dev/null 2>&1 || missing+=("nginx (Debian package: nginx-light)")
command -v hey      >/dev/null 2>&1 || missing+=("hey (Debian package: hey)")
if [[ "$SKIP_MITM" != 1 ]]; then
  command -v mitmdump >/dev/null 2>&1 || missing+=("mitmdump (Debian package: mitmproxy)")
fi
if [[ "$SKIP_OURS" != 1 ]]; then
  command -v dotnet >/dev/null 2>&1 || missing+=("dotnet (.NET 10 SDK)")
fi
for t in openssl curl timeout awk; do
  command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if (( ${#missing[@]} )); then
  for m in "${missing[@]}"; do log "missing: $m"; done
  die "install with: apt-get install nginx-light hey mitmproxy   (and the .NET 10 SDK for dotnet)"
fi
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
for c in ${CASES//,/ }; do
  case "$c" in http|https|newconn|10m|1g) ;; *) die "unknown case '$c' (known: http,https,newconn,10m,1g)";; esac
done

# ---------------------------------------------------------------- cleanup
TMP="$(mktemp -d /tmp/proxymcp-bench.XXXXXX)"
PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ "$KEEP_TMP" == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
USED_PORTS=" "
free_port() {
  local p
  for _ in $(seq 1 200); do
    # Below Linux's ephemeral range (32768+): a port left in TIME_WAIT by the previous round's client connections
    # cannot be bound even though nothing listens on it.
    p=$(( 15000 + RANDOM % 17000 ))
    [[ "$USED_PORTS" == *" $p "* ]] && continue
    if ! port_busy "$p"; then USED_PORTS+="$p "; echo "$p"; return; fi
  done
  die "no free port found"
}
wait_port() { # port pid seconds name [log file]
  local port=$1 pid=$2 secs=$3 name=$4 logfile=${5:-} i
  for i in $(seq 1 $(( secs * 10 ))); do
    port_busy "$port" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      [[ -n "$logfile" && -f "$logfile" ]] && tail -n 20 "$logfile" >&2
      die "$name exited during startup (see log above)"
    fi
    sleep 0.1
  done
  die "$name did not listen on 127.0.0.1:$port within ${secs}s"
}
kb() { awk -v k="$1" '/^'"$1"':/ {print $2; exit}' "/proc/$2/status" 2>/dev/null || echo 0; }
reset_hwm() { echo 5 > "/proc/$1/clear_refs" 2>/dev/null || true; }   # VmHWM := VmRSS (Linux >= 4.0)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }  # utime+stime, clock ticks
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# ---------------------------------------------------------------- nginx
H_PORT=$(free_port); S_PORT=$(free_port)
mkdir -p "$TMP/nginx/tmp" "$TMP/www"
chmod 755 "$TMP" "$TMP/www"          # workers may run as an unprivileged user when started as root
head -c $(( 10 * 1024 * 1024 )) /dev/urandom > "$TMP/www/10m"
truncate -s 1G "$TMP/www/1g"
chmod 644 "$TMP/www/10m" "$TMP/www/1g"
case "$ORIGIN_KEY" in
  ec)  KEYSPEC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1) ;;
  rsa) KEYSPEC=(-newkey rsa:2048) ;;
  *) die "ORIGIN_KEY must be ec or rsa" ;;
esac
openssl req -x509 "${KEYSPEC[@]}" -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$TMP/nginx/key.pem" -out "$TMP/nginx/cert.pem" >/dev/null 2>&1 || die "openssl cert generation failed"
SMALL_BODY="proxymcp-bench small response: 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvw"  # 100 bytes
cat > "$TMP/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/tmp/client;
  proxy_temp_path $TMP/nginx/tmp/proxy;
  fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
  scgi_temp_path $TMP/nginx/tmp/scgi;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  ssl_certificate $TMP/nginx/cert.pem;
  ssl_certificate_key $TMP/nginx/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:$H_PORT;
    listen 127.0.0.1:$S_PORT ssl;
    server_name localhost;
    root $TMP/www;
    location = /small { default_type text/plain; return 200 "$SMALL_BODY"; }
    location = /10m { }
    location = /1g { }
  }
}
EOF
nginx -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" -t >"$TMP/nginx/test.log" 2>&1 \
  || { cat "$TMP/nginx/test.log" >&2; die "nginx config test failed"; }
nginx -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!; PIDS+=("$NGINX_PID")
wait_port "$H_PORT" "$NGINX_PID" 10 nginx
wait_port "$S_PORT" "$NGINX_PID" 10 nginx
got=$(curl -s --noproxy '*' "http://127.0.0.1:$H_PORT/small") || die "nginx /small failed"
[[ "${#got}" -eq 100 ]] || die "unexpected /small body (${#got} bytes)"
log "nginx: http 127.0.0.1:$H_PORT, https 127.0.0.1:$S_PORT (pid $NGINX_PID)"

# ---------------------------------------------------------------- ProxyMcp
OURS_PID=""; OURS_PORT=""
if [[ "$SKIP_OURS" != 1 ]]; then
  if [[ "$SKIP_BUILD" != 1 ]]; then
    log "building ProxyMcp (Release)"
    (cd "$ROOT" && timeout 900 dotnet build -c Release src/ProxyMcp -nologo -v q) >"$TMP/build.log" 2>&1 \
      || { tail -30 "$TMP/build.log" >&2; die "dotnet build failed"; }
  fi
  [[ -f "$OURS_DLL" ]] || die "$OURS_DLL not found (build first or unset SKIP_BUILD)"
  OURS_PORT=$(free_port)
  mkdir -p "$TMP/ours-data"
  dotnet "$OURS_DLL" --proxy-only --proxy-port "$OURS_PORT" --data-dir "$TMP/ours-data" --upstream-insecure \
    >"$TMP/ours.log" 2>&1 &
  OURS_PID=$!; PIDS+=("$OURS_PID")
  wait_port "$OURS_PORT" "$OURS_PID" 60 ProxyMcp "$TMP/ours.log"
  log "ProxyMcp: 127.0.0.1:$OURS_PORT (pid $OURS_PID)"
fi

# ---------------------------------------------------------------- mitmdump
MITM_PID=""; MITM_PORT=""
if [[ "$SKIP_MITM" != 1 ]]; then
  MITM_PORT=$(free_port)
  mkdir -p "$TMP/mitm-conf"
  mitmdump --listen-host 127.0.0.1 -p "$MITM_PORT" --ssl-insecure -q --set confdir="$TMP/mitm-conf" \
    >"$TMP/mitm.log" 2>&1 &
  MITM_PID=$!; PIDS+=("$MITM_PID")
  wait_port "$MITM_PORT" "$MITM_PID" 60 mitmdump
  log "mitmdump: 127.0.0.1:$MITM_PORT (pid $MITM_PID)"
fi

TARGETS=(direct)
[[ "$SKIP_OURS" != 1 ]] && TARGETS+=(ours)
[[ "$SKIP_MITM" != 1 ]] && TARGETS+=(mitm)

proxy_of() { case "$1" in ours) echo "http://127.0.0.1:$OURS_PORT";; mitm) echo "http://127.0.0.1:$MITM_PORT";; *) echo "";; esac; }
pid_of()   { case "$1" in ours) echo "$OURS_PID";; mitm) echo "$MITM_PID";; *) echo "";; esac; }

# Sanity: each proxy must return the right body over HTTP and HTTPS before we measure it.
for t in "${TARGETS[@]}"; do
  px=$(proxy_of "$t"); [[ -n "$px" ]] || continue
  for u in "http://127.0.0.1:$H_PORT/small" "https://127.0.0.1:$S_PORT/small"; do
    got=$(timeout 30 curl -sk --max-time 20 -x "$px" "$u" 2>&1) || got="curl failed: $got"
    [[ "$got" == "$SMALL_BODY" ]] || { tail -20 "$TMP/$t.log" >&2; die "$t: GET $u via $px returned: ${got:0:200}"; }
  done
done

# Overall peak RSS includes start-up.
OURS_HWM_ALL=0; MITM_HWM_ALL=0; OURS_RSS_START=0
[[ -n "$OURS_PID" ]] && OURS_HWM_ALL=$(kb VmHWM "$OURS_PID") && OURS_RSS_START=$(kb VmRSS "$OURS_PID")
[[ -n "$MITM_PID" ]] && MITM_HWM_ALL=$(kb VmHWM "$MITM_PID")

# ---------------------------------------------------------------- hey runs
RAW="$TMP/raw.tsv"   # case target round ok_rps p50_ms p99_ms errors non2xx mbps proxy_cpu_us_per_req
: > "$RAW"
declare -A CASE_URL CASE_FLAGS CASE_C CASE_TITLE
CASE_URL[http]="http://127.0.0.1:$H_PORT/small";   CASE_FLAGS[http]="";                   CASE_C[http]=$CONC
CASE_URL[https]="https://127.0.0.1:$S_PORT/small"; CASE_FLAGS[https]="";                  CASE_C[https]=$CONC
CASE_URL[newconn]="https://127.0.0.1:$S_PORT/small"; CASE_FLAGS[newconn]="-disable-keepalive"; CASE_C[newconn]=$CONC
CASE_URL[10m]="http://127.0.0.1:$H_PORT/10m";      CASE_FLAGS[10m]="";                    CASE_C[10m]=$CONC_10M
CASE_TITLE[http]="HTTP keep-alive, 100 B (c=$CONC)"
CASE_TITLE[https]="HTTPS keep-alive, 100 B (c=$CONC)"
CASE_TITLE[newconn]="HTTPS new conn/request, 100 B (c=$CONC)"
CASE_TITLE[10m]="HTTP 10 MiB download (c=$CONC_10M)"

# hey's summary -> "ok_rps p50_ms p99_ms errors non2xx mbps"
parse_hey() {
  awk '
    /^  Total:/          { total = $2 }
    /Total data:/        { data = $3 }
    /^  Slowest:/        { slowest = $2 * 1000 }
    /^  50%+ in /        { p50 = $3 * 1000 }
    /^  99%+ in /        { p99 = $3 * 1000 }
    /^Status code distribution:/ { sect = "status"; next }
    /^Error distribution:/       { sect = "error"; next }
    sect == "status" && match($0, /\[[0-9]+\]/) {
      code = substr($0, RSTART + 1, RLENGTH - 2) + 0; n = $2 + 0
      if (code >= 200 && code < 300) ok += n; else bad += n
    }
    sect == "error" && match($0, /\[[0-9]+\]/) { err += substr($0, RSTART + 1, RLENGTH - 2) + 0 }
    END {
      # hey omits "99% in" below 100 responses; nearest-rank p99 of n <= 100 samples is the maximum.
      if (p99 == "" && p50 != "") p99 = slowest
      if (total <= 0) { print "0 - - " (err + 0) " " (bad + 0) " 0"; exit }
      printf "%.1f %s %s %d %d %.1f\n", ok / total,
        (p50 == "" ? "-" : sprintf("%.2f", p50)), (p99 == "" ? "-" : sprintf("%.2f", p99)),
        err, bad, data / total / 1e6
    }'
}

run_hey() { # case target duration outfile
  local c=$1 t=$2 d=$3 out=$4 proxy
  proxy=$(proxy_of "$t")
  local args=(-z "$d" -c "${CASE_C[$c]}" -t 30)
  [[ -n "${CASE_FLAGS[$c]}" ]] && args+=(${CASE_FLAGS[$c]})
  [[ -n "$proxy" ]] && args+=(-x "$proxy")
  timeout --kill-after=5 $(( $(dur_s "$d") + 60 )) hey "${args[@]}" "${CASE_URL[$c]}" >"$out" 2>&1 || true
}

declare -A RSS_CASE   # "<case>,<target>" -> peak kB during the case
for c in http https newconn 10m; do
  has_case "$c" || continue
  log "case $c: ${CASE_TITLE[$c]}"
  for t in "${TARGETS[@]}"; do
    p=$(pid_of "$t")
    if [[ -n "$p" ]] && ! kill -0 "$p" 2>/dev/null; then die "$t (pid $p) died; log: $(tail -5 "$TMP/$t.log" 2>/dev/null)"; fi
  done
  if [[ "$WARMUP" != 0 && "$WARMUP" != 0s ]]; then
    for t in "${TARGETS[@]}"; do run_hey "$c" "$t" "$WARMUP" "$TMP/warmup.txt"; done
  fi
  for t in "${TARGETS[@]}"; do p=$(pid_of "$t"); if [[ -n "$p" ]]; then reset_hwm "$p"; fi; done
  for r in $(seq 1 "$ROUNDS"); do
    for t in "${TARGETS[@]}"; do
      out="$TMP/hey-$c-$t-$r.txt"
      p=$(pid_of "$t"); ticks0=0; [[ -n "$p" ]] && ticks0=$(cpu_ticks "$p")
      run_hey "$c" "$t" "$DURATION" "$out"
      ticks1=0; [[ -n "$p" ]] && ticks1=$(cpu_ticks "$p")
      read -r rps p50 p99 err bad mbps < <(parse_hey < "$out")
      total_s=$(awk '/^  Total:/ { print $2; exit }' "$out"); total_s=${total_s:-0}
      # proxy CPU per 2xx response in microseconds ("-" for direct)
      cpu_us=$(awk -v p="$p" -v d=$(( ticks1 - ticks0 )) -v hz="$CLK_TCK" -v r="$rps" -v t="$total_s" \
        'BEGIN { n = r * t; if (p == "" || n <= 0) print "-"; else printf "%.0f", d / hz * 1e6 / n }')
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$t" "$r" "$rps" "$p50" "$p99" "$err" "$bad" "$mbps" "$cpu_us" >> "$RAW"
      log "  round $r $t: ${rps} ok req/s, p50 ${p50} ms, p99 ${p99} ms, errors $err, non-2xx $bad$([[ $c == 10m ]] && echo ", $mbps MB/s")$([[ $cpu_us != - ]] && echo ", proxy CPU ${cpu_us} µs/req")"
      if (( err > 0 )); then grep -A5 '^Error distribution' "$out" | head -6 | sed 's/^/      /' >&2; fi
    done
  done
  for t in ours mitm; do
    p=$(pid_of "$t"); [[ -n "$p" ]] || continue
    h=$(kb VmHWM "$p"); RSS_CASE["$c,$t"]=$h
    if [[ $t == ours ]]; then OURS_HWM_ALL=$(( h > OURS_HWM_ALL ? h : OURS_HWM_ALL ))
    else MITM_HWM_ALL=$(( h > MITM_HWM_ALL ? h : MITM_HWM_ALL )); fi
  done
done

# ---------------------------------------------------------------- 1 GiB through ProxyMcp
BIG_LINES=()
BIG_GROWTH_MAX=""
BIG_FAILED=0
if has_case 1g; then
  if [[ -z "$OURS_PID" ]]; then
    log "case 1g: skipped (needs ProxyMcp; SKIP_OURS=1)"
  else
    log "case 1g: 1 GiB response through ProxyMcp with curl"
    for scheme in http https; do
      if [[ $scheme == http ]]; then url="http://127.0.0.1:$H_PORT/1g"; else url="https://127.0.0.1:$S_PORT/1g"; fi
      # reference: direct (a first untimed read puts the sparse file's pages in the page cache)
      timeout 300 curl -sk --noproxy '*' --max-time 240 -o /dev/null "$url" || true
      d_speed=$(timeout 300 curl -sk --noproxy '*' --max-time 240 -o /dev/null -w '%{speed_download}' "$url" || echo 0)
      kill -0 "$OURS_PID" 2>/dev/null || die "ProxyMcp died"
      reset_hwm "$OURS_PID"
      rss0=$(kb VmRSS "$OURS_PID")
      samples="$TMP/rss-1g-$scheme.txt"; : > "$samples"
      ( while kill -0 "$OURS_PID" 2>/dev/null; do kb VmRSS "$OURS_PID" >> "$samples"; sleep 0.1; done ) &
      sampler=$!; PIDS+=("$sampler")
      res=$(timeout 300 curl -sk -x "http://127.0.0.1:$OURS_PORT" --max-time 240 -o /dev/null \
              -w '%{http_code} %{size_download} %{speed_download} %{time_total}' "$url" || echo "000 0 0 0")
      kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
      read -r code size speed ttotal <<<"$res"
      hwm=$(kb VmHWM "$OURS_PID")
      maxs=$(sort -n "$samples" | tail -1); maxs=${maxs:-0}
      peak=$(( maxs > hwm ? maxs : hwm ))
      growth=$(( peak - rss0 ))
      OURS_HWM_ALL=$(( hwm > OURS_HWM_ALL ? hwm : OURS_HWM_ALL ))
      if [[ -z "$BIG_GROWTH_MAX" ]] || (( growth > BIG_GROWTH_MAX )); then BIG_GROWTH_MAX=$growth; fi
      if [[ "$code" != 200 || "$size" != 1073741824 ]]; then BIG_FAILED=1; fi   # incomplete download = FAIL
      line=$(printf '| %s | %s | %s | %s | %s MB | %s MB | %s MB | %s MB | %.0f MB/s | %.0f MB/s | %s |' \
        "$scheme" "$code" "$size" "$ttotal" "$(mb "$rss0")" "$(mb "$maxs")" "$(mb "$hwm")" "$(mb "$growth")" \
        "$(awk -v s="$speed" 'BEGIN{print s/1e6}')" "$(awk -v s="$d_speed" 'BEGIN{print s/1e6}')" "$(wc -l < "$samples")")
      BIG_LINES+=("$line")
      log "  $scheme: status $code, $size bytes in ${ttotal}s, RSS before $(mb "$rss0") MB, max sampled $(mb "$maxs") MB, HWM $(mb "$hwm") MB, growth $(mb "$growth") MB"
    done
  fi
fi

# ---------------------------------------------------------------- summary
med() { sort -g | awk '{a[NR]=$1} END { if (NR == 0) { print "-"; exit } if (NR % 2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2] + a[NR/2+1]) / 2 }'; }
col() { # case target column -> median over rounds (non-numeric ignored)
  awk -F'\t' -v c="$1" -v t="$2" -v k="$3" '$1 == c && $2 == t && $k != "-" { print $k }' "$RAW" | med
}
sumcol() { awk -F'\t' -v c="$1" -v t="$2" -v k="$3" '$1 == c && $2 == t { s += $k; n++ } END { print (n ? s : "-") }' "$RAW"; }
paired() { # case target -> per-round <target>/direct ratios, comma-separated (rounds ran back to back)
  awk -F'\t' -v c="$1" -v t="$2" '$1 == c && $2 == "direct" { d[$3] = $4 } $1 == c && $2 == t { o[$3] = $4 }
    END { for (r = 1; r in d; r++) if ((r in o) && d[r] > 0) { printf "%s%.2f", sep, o[r] / d[r]; sep = ", " } }' "$RAW"
}
cpucell() { local v; v=$(col "$1" "$2" 10); [[ "$v" == "-" ]] && echo "-" || awk -v v="$v" 'BEGIN { printf "%.0f µs\n", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
fmt_rps() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.0f", v }'; }

MACHINE="$(nproc) cores, $(awk '/^model name/ {sub(/^[^:]*: /, ""); print; exit}' /proc/cpuinfo), $(uname -sr)"
VERSIONS="nginx $(nginx -v 2>&1 | sed 's|.*/||'), hey $(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo '?')"
[[ -n "$MITM_PID" ]] && VERSIONS+=", mitmdump $(mitmdump --version 2>/dev/null | awk '/^Mitmproxy/ {print $2}')"
[[ -n "$OURS_PID" ]] && VERSIONS+=", ProxyMcp $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') (.NET $(dotnet --version 2>/dev/null))"

declare -A RATIO_OURS
{
  echo "# ProxyMcp load benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $MACHINE. Tools: $VERSIONS."
  echo "Origin certificate: $( [[ $ORIGIN_KEY == ec ]] && echo "ECDSA P-256" || echo "RSA 2048" ). Rounds: $ROUNDS alternating (direct, ours, mitm, …), hey -z $DURATION each after $( [[ "$WARMUP" == 0 || "$WARMUP" == 0s ]] && echo "no warm-up" || echo "a $WARMUP warm-up per target"); figures are medians over rounds."
  echo "req/s counts 2xx responses only. Latencies in ms (p50/p99). Errors = hey errors + non-2xx, summed over rounds (d/o/m)."
  echo "CPU/req = proxy process CPU time (user+sys, /proc/<pid>/stat) during the run / 2xx responses (2 cores in total)."
  echo
  echo "| case | direct req/s | ours req/s | mitm req/s | ours/direct | mitm/direct | direct p50/p99 | ours p50/p99 | mitm p50/p99 | errors d/o/m | ours peak RSS | mitm peak RSS | ours CPU/req | mitm CPU/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for c in http https newconn 10m; do
    has_case "$c" || continue
    declare -A R=() L=() E=()
    for t in direct ours mitm; do
      rps=$(col "$c" "$t" 4); p50=$(col "$c" "$t" 5); p99=$(col "$c" "$t" 6)
      e1=$(sumcol "$c" "$t" 7); e2=$(sumcol "$c" "$t" 8)
      R[$t]=$rps
      if [[ "$rps" == "-" ]]; then L[$t]="-"; E[$t]="-"; continue; fi
      cell=$(fmt_rps "$rps")
      [[ $c == 10m ]] && cell+=" ($(col "$c" "$t" 9 | awk '{printf "%.0f", $1}') MB/s)"
      R[$t.cell]=$cell
      L[$t]="$p50 / $p99"
      E[$t]=$(( e1 + e2 ))
    done
    ro=$(ratio "${R[ours]}" "${R[direct]}"); rm_=$(ratio "${R[mitm]}" "${R[direct]}")
    RATIO_OURS[$c]=$ro
    rss_o="-"; rss_m="-"
    [[ -n "${RSS_CASE[$c,ours]:-}" ]] && rss_o="$(mb "${RSS_CASE[$c,ours]}") MB"
    [[ -n "${RSS_CASE[$c,mitm]:-}" ]] && rss_m="$(mb "${RSS_CASE[$c,mitm]}") MB"
    echo "| ${CASE_TITLE[$c]} | ${R[direct.cell]:--} | ${R[ours.cell]:--} | ${R[mitm.cell]:--} | $ro | $rm_ | ${L[direct]} | ${L[ours]} | ${L[mitm]} | ${E[direct]}/${E[ours]}/${E[mitm]} | $rss_o | $rss_m | $(cpucell "$c" ours) | $(cpucell "$c" mitm) |"
    unset R L E
  done
  echo
  echo "Overall peak RSS (VmHWM incl. start-up): ProxyMcp $( [[ -n "$OURS_PID" ]] && echo "$(mb "$OURS_HWM_ALL") MB (RSS after start-up $(mb "$OURS_RSS_START") MB)" || echo "-" ), mitmdump $( [[ -n "$MITM_PID" ]] && echo "$(mb "$MITM_HWM_ALL") MB" || echo "-" )."
  if (( ${#BIG_LINES[@]} )); then
    echo
    echo "1 GiB response through ProxyMcp (curl -x; RSS sampled every 100 ms):"
    echo
    echo "| scheme | status | bytes | seconds | RSS before | max sampled RSS | VmHWM | growth | ours throughput | direct throughput | samples |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for l in "${BIG_LINES[@]}"; do echo "$l"; done
  fi
  echo
  echo "Per-round figures (ok req/s, p50 ms, p99 ms, errors, non-2xx, MB/s, proxy CPU µs/req):"
  echo
  echo '```'
  sort -k1,1 -k3,3n "$RAW" | awk -F'\t' '{ printf "%-8s %-6s r%s  %10s  %8s  %8s  %4s  %4s  %8s  %6s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
  echo '```'
  echo
  echo "Targets (ProxyMcp; ratios are of the medians above):"
  echo
  target() { # name value op threshold
    local name=$1 v=$2 op=$3 thr=$4 verdict
    if [[ "$v" == "-" || -z "$v" ]]; then verdict="SKIP"
    elif awk -v v="$v" -v t="$thr" -v op="$op" 'BEGIN { exit !((op == ">=" && v >= t) || (op == "<=" && v <= t) || (op == "<" && v < t)) }'; then verdict="PASS"
    else verdict="FAIL"; fi
    echo "- $verdict: $name: $v (target $op $thr)${5:+; $5}"
  }
  pr() { local x; x=$(paired "$1" ours); [[ -n "$x" ]] && echo "per-round ratios $x"; true; }
  has_case http    && target "HTTP keep-alive ours/direct"       "${RATIO_OURS[http]:--}"    ">=" 0.45 "$(pr http)"
  has_case https   && target "HTTPS keep-alive ours/direct"      "${RATIO_OURS[https]:--}"   ">=" 0.45 "$(pr https)"
  has_case newconn && target "HTTPS new-connection ours/direct"  "${RATIO_OURS[newconn]:--}" ">=" 0.8 "$(pr newconn)"
  has_case 10m     && target "10 MiB download ours/direct"       "${RATIO_OURS[10m]:--}"     ">=" 0.5 "$(pr 10m)"
  target "ProxyMcp peak RSS (MB)" "$( [[ -n "$OURS_PID" ]] && mb "$OURS_HWM_ALL" || echo - )" "<=" 200
  if has_case 1g && (( BIG_FAILED )); then
    echo "- FAIL: 1 GiB response through ProxyMcp did not complete (see table above)"
  elif has_case 1g; then
    target "1 GiB response RSS growth (MB)" "$( [[ -n "$BIG_GROWTH_MAX" ]] && mb "$BIG_GROWTH_MAX" || echo - )" "<" 64
  fi
} > "$TMP/summary.md"

mkdir -p "$RESULTS_DIR"
cp "$TMP/summary.md" "$RESULTS_DIR/latest.md"
echo
cat "$TMP/summary.md"
echo
log "written to bench/results/latest.md"
