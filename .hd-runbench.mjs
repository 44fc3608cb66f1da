const f = process.argv[2] ?? 'docker.bench.ts';
const mod = await import('/work/main/test/bench/' + f);
const r = await (mod.run ?? mod.default?.run)();
console.log(JSON.stringify(r, null, 1));
