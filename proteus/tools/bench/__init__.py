"""The benchmarks behind `proteus bench ...`: each measures the project's path and a
baseline in the same run and returns its figures (one JSON line on the command line).
Benchmarks replace the graph's content."""
