"""The replica: local portals that behave like the real ones — their families, chrome, quirks,
paging, encodings, defences and faults — with a deterministic corpus, simulated time and the
truth a crawl should reach. A development tool for the demo, the tests and the benchmarks; not
part of what users install (`pip install 'govwatch[replica]'` brings its dependencies)."""
