# bench/run.sh's chart: requests/s and p99 latency of each system, side by side.
# Called with -e "data='<tsv: system rps p99_ms>'; output='<png>'; subtitle='<settings>'".
set terminal pngcairo size 1100,460 font "sans,10"
set output output
set multiplot layout 1,2 title "berth vs nginx, a bare Vert.x server and the event-bus floor (".subtitle.")"
set style fill solid 0.8 border -1
set boxwidth 0.6
set grid ytics
set yrange [0:*]
unset key
set xtics nomirror rotate by -30 left
set title "throughput, requests/s (higher is better)"
plot data using 0:2:xtic(1) with boxes lc rgb "#3b75af", \
     '' using 0:2:(sprintf("%d", $2)) with labels offset 0,0.7
set title "p99 latency, ms (lower is better)"
plot data using 0:3:xtic(1) with boxes lc rgb "#c44e52", \
     '' using 0:3:(sprintf("%.2f", $3)) with labels offset 0,0.7
unset multiplot
