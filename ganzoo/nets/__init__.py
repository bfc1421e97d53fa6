"""Network building blocks shared by unrelated variant families: normalisation layers, weight
initialisation, DCGAN-style conv stacks, the PatchGAN critic and the fast-inference path.

Architectures of one family live in that family's plugin (e.g. the pix2pix/CycleGAN ResNet and
U-Net generators in ganzoo-pix2pix).
"""
