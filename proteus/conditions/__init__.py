"""The one condition language of rule segments and audiences: the model (`model`), its
compilation to the parameters of the one traversal and the one evidence query (`compile`),
the person summary those queries read (`summary`), and the day recency counts back from
(`recency`)."""
