"""Reusable networks for image GANs: ResNet and U-Net generators, PatchGAN and pixel critics.

Each builder takes the options of the reference pix2pix/CycleGAN implementation
(junyanz/pytorch-CycleGAN-and-pix2pix) and lays its modules out so that the reference
checkpoints' state-dict keys load unchanged (minus InstanceNorm running statistics, see
`ganzoo.nets.reference_checkpoint`). Parameter counts match the published ones.
"""
