import os

import evaluate
from evaluate.utils import launch_gradio_widget

# Guarded so that `pytest --doctest-modules` can import this file without starting a server;
# a Space runs it as a script. Loaded from this folder: a bare "similarity_weighted_f1" would be
# looked up as evaluate-metric/similarity_weighted_f1 on the Hub, which does not exist.
if __name__ == "__main__":
    module = evaluate.load(os.path.dirname(os.path.abspath(__file__)))
    launch_gradio_widget(module)
