"""ganzoo-infogan: InfoGAN, registered lazily (no torch import here)."""

from ganzoo import hookimpl


@hookimpl
def register_variants(register):
    register("infogan", "ganzoo_infogan.variant:InfoGAN", task="unconditional",
             summary="InfoGAN (Chen et al. 2016): categorical + continuous codes made "
                     "interpretable by a mutual-information bound (Q head on D's trunk), "
                     "as in the paper; --set invariant_clustering=true adds the digits "
                     "additions beyond it (IIC on real images, augmented fakes)",
             paper="https://arxiv.org/abs/1606.03657", default_data="digits")


@hookimpl
def register_metrics(register):
    register("code-accuracy", "ganzoo_infogan.code_accuracy:evaluate_categorical_code",
             summary="labelled data: the categorical code matched one-to-one to classes "
                     "(Hungarian) by a real-trained classifier, accuracy")
