"""The tools wing: the synthetic data generator with its ground truth, the scores against
that truth, and the benchmarks. The stages never import it; the command line and the main
job (`proteus.pipeline`) do."""
