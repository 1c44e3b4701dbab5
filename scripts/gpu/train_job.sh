set -x
export PYTHONUNBUFFERED=1 PYTHONPATH=. TOKENIZERS_PARALLELISM=false
nvidia-smi --query-gpu=name,memory.total --format=csv
mkdir -p /tmp/logs
for r in r1 r2 r3 r4 r5; do timeout 300 python3 scripts/gpu/train_job.py train $r > /tmp/logs/$r.log 2>&1 & done
timeout 300 python3 scripts/gpu/train_job.py finbert r1 > /tmp/logs/finbert.log 2>&1 &
wait
python3 - <<'PY'
import json,glob
best=None
for f in sorted(glob.glob('/tmp/res/r*.json')):
    d=json.load(open(f)); h=d['history'][-1]; s=h['tfns']['accuracy']+h['tfnt']['accuracy']
    print(f, round(d['secs']), [(r['epoch'],round(r['tfns']['accuracy'],4),round(r['tfnt']['accuracy'],4),round(r['fpb_all']['accuracy'],4),round(r['fpb_50']['accuracy'],4)) for r in d['history']])
    if best is None or s>best[0]: best=(s,f)
print('BEST',best)
open('/tmp/best','w').write(best[1].split('/')[-1][:-5])
PY
B=$(cat /tmp/best)
T=$(ls -d /tmp/models/r* | paste -sd, -)
timeout 220 python3 scripts/gpu/train_job.py train student "$(python3 -c "
import json;c=json.load(open('/tmp/res/$B.json'))['cfg'];c.pop('base');c.pop('teachers');c.update(teachers='$T'.split(','),distill_weight=1.0,distill_temperature=2.0);print(json.dumps(c))")" > /tmp/logs/student.log 2>&1
tail -3 /tmp/logs/*.log > $OUT/logs.txt
cat /tmp/res/*.json > $OUT/results.jsonl
for m in $B student; do [ -d /tmp/models/$m ] && (cd /tmp/models && tar cf /tmp/$m.tar $m && split -b 15M /tmp/$m.tar $OUT/$m.tar.part-); done
ls -la $OUT
