"""The one condition language of rule segments and audiences: the model (`model`), its
compilation to the parameters of the one traversal and the one evidence query (`compile`),
and the person summary those queries read (`summary`)."""
