"""The steps of the nightly run, one module each; `doorstep.pipeline` lists them."""
