"""Random dataset items are a pure function of (seed, epoch, rank, index): fresh crops every
epoch, the same ones again for the same key, none drawn from the global RNG."""

import torch

from ganzoo_srgan.degrade import DegradedPairs
from ganzoo.data.item_rng import DrawKey, item_generator
from ganzoo.train.batches import BatchStream


def photos(count=2, size=40):
    generator = torch.Generator().manual_seed(0)
    return [torch.rand(3, size, size, generator=generator) for _ in range(count)]


def stream_indices(stream):
    """The indices the stream's next batch will hold, without moving it."""
    saved = stream.state()
    indices = stream.next_indices().tolist()
    stream.load_state(saved)
    return indices


def test_sr_crops_differ_between_epochs_and_repeat_for_the_same_epoch():
    stream = BatchStream(DegradedPairs(photos(), scale=2, patch_size=8, length=4), 4, seed=3)
    first_epoch = dict(zip(stream_indices(stream), next(stream)[1]))
    second_epoch = dict(zip(stream_indices(stream), next(stream)[1]))
    assert stream.epoch == 1 and first_epoch.keys() == second_epoch.keys()
    changed = [i for i in first_epoch if not torch.equal(first_epoch[i], second_epoch[i])]
    assert len(changed) == 4  # every item got a new crop in the new epoch

    again = BatchStream(DegradedPairs(photos(), scale=2, patch_size=8, length=4), 4, seed=3)
    replay = dict(zip(stream_indices(again), next(again)[1]))
    assert all(torch.equal(replay[i], first_epoch[i]) for i in first_epoch)


def test_item_generator_depends_on_every_part_of_the_key_and_nothing_else():
    def draw(seed, epoch, rank, index):
        return torch.rand(4, generator=item_generator(DrawKey(seed, epoch, rank), index))

    base = draw(0, 0, 0, 0)
    assert torch.equal(base, draw(0, 0, 0, 0))
    torch.manual_seed(123)  # the global RNG plays no part
    assert torch.equal(base, draw(0, 0, 0, 0))
    for other in [(1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1)]:
        assert not torch.equal(base, draw(*other)), other


def test_datasets_leave_the_global_rng_alone():
    data = DegradedPairs(photos(), scale=2, patch_size=8, length=4)
    torch.manual_seed(5)
    before = torch.get_rng_state()
    _ = [data[i] for i in range(4)]
    assert torch.equal(before, torch.get_rng_state())
