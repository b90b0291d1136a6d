"""Batched augmentation on the training device: data.augmentation()'s transforms applied to a whole batch at once.

The same steps, parameter ranges and fill as torchvision's RandomAffine (rotation, integer shift, zoom; bilinear,
black outside), ColorJitter (brightness and contrast in a random order) and RandomHorizontalFlip, with one parameter
set per image: rotation, shift and zoom become one affine sampling grid per image and one grid_sample call per batch.

Parameters come from uniform draws keyed by an image's position in the epoch's order (draw()), so a sample is
augmented the same way whatever the number of processes that share the epoch.
"""

import torch
import torch.nn.functional as F

# Columns of the uniform draws, one row per sample position.
ANGLE, SHIFT_X, SHIFT_Y, ZOOM, BRIGHTNESS, CONTRAST, ORDER, FLIP = range(8)
DRAWS = 8


def _jitter_range(factor):
    """ColorJitter's factor range for brightness/contrast f: [max(0, 1 - f), 1 + f]; None when off."""
    return (max(0.0, 1.0 - float(factor)), 1.0 + float(factor)) if factor else None


class BatchAugmentation:
    """The random training transform of N x 1 x s x s float batches in [0, 1] on any device."""

    def __init__(self, aug):
        self.degrees = float(aug.rotation_degrees)
        self.shift = (float(aug.width_shift), float(aug.height_shift))
        self.zoom = float(aug.zoom)
        self.affine = bool(self.degrees or self.shift[0] or self.shift[1] or self.zoom)
        self.brightness = _jitter_range(aug.brightness)
        self.contrast = _jitter_range(aug.contrast)
        self.flip = bool(aug.horizontal_flip)
        self.enabled = self.affine or self.brightness is not None or self.contrast is not None or self.flip
        self._grids = {}

    @staticmethod
    def draw(n, generator):
        """Uniform draws for n sample positions: row p depends only on p and the generator's state."""
        return torch.rand(n, DRAWS, generator=generator, dtype=torch.float64)

    def parameters(self, u, size):
        """Per-image parameters from uniform draws (N x 8, float64) for s x s images, drawn as RandomAffine and
        ColorJitter draw them: angle in [-d, d], shift round(U(-f s, f s)) pixels, scale in [1 - z, 1 + z]."""
        lo_hi = lambda lo, hi, col: lo + (hi - lo) * u[:, col]  # noqa: E731  (torch's uniform_(lo, hi))
        max_dx, max_dy = self.shift[0] * size, self.shift[1] * size
        return {
            "angle": lo_hi(-self.degrees, self.degrees, ANGLE),
            "tx": torch.round(lo_hi(-max_dx, max_dx, SHIFT_X)),
            "ty": torch.round(lo_hi(-max_dy, max_dy, SHIFT_Y)),
            "scale": lo_hi(1 - self.zoom, 1 + self.zoom, ZOOM),
            "brightness": lo_hi(*self.brightness, BRIGHTNESS) if self.brightness else None,
            "contrast": lo_hi(*self.contrast, CONTRAST) if self.contrast else None,
            "brightness_first": u[:, ORDER] < 0.5,
            "flip": u[:, FLIP] < 0.5,
        }

    def __call__(self, x, u):
        """Augments x (N x 1 x s x s) with the draws u (N x 8); returns a new tensor clamped to [0, 1]."""
        p = self.parameters(u, x.shape[-1])
        if self.affine:
            x = self.warp(x, p["angle"], p["tx"], p["ty"], p["scale"])
        if p["brightness"] is not None or p["contrast"] is not None:
            x = self.jitter(x, p["brightness"], p["contrast"], p["brightness_first"])
        if self.flip:
            x = torch.where(p["flip"].view(-1, 1, 1, 1), x.flip(-1), x)
        return x.clamp(0.0, 1.0)

    def _base_grid(self, h, w, dtype, device):
        """(pixel centres relative to the image centre, as torchvision's _gen_affine_grid lays them out; the
        pixel-to-[-1, 1] scale), made once per size and device: no host-to-device copy per batch."""
        key = (h, w, dtype, device)
        if key not in self._grids:
            grid = torch.empty(1, h * w, 3, dtype=dtype, device=device)
            xs = torch.linspace(-w * 0.5 + 0.5, w * 0.5 - 0.5, steps=w, device=device, dtype=dtype)
            ys = torch.linspace(-h * 0.5 + 0.5, h * 0.5 - 0.5, steps=h, device=device, dtype=dtype)
            grid[0, :, 0] = xs.repeat(h)
            grid[0, :, 1] = ys.repeat_interleave(w)
            grid[0, :, 2] = 1.0
            self._grids[key] = grid, torch.tensor([0.5 * w, 0.5 * h], dtype=dtype).to(device)
        return self._grids[key]

    def warp(self, x, angle, tx, ty, scale):
        """torchvision.transforms.functional.affine (centre kept, no shear, bilinear, fill 0) per image of x.

        angle in degrees (counter-clockwise), tx/ty in pixels, scale: one value per image (N tensors)."""
        n, _, h, w = x.shape
        rot = torch.deg2rad(angle.double())
        cos, sin = torch.cos(rot), torch.sin(rot)
        scale, tx, ty = scale.double(), tx.double(), ty.double()
        # _get_inverse_affine_matrix with centre (0, 0) and no shear: R(-a) / s, then the inverse translation.
        m0, m1, m3, m4 = cos / scale, sin / scale, -sin / scale, cos / scale
        theta = torch.stack([m0, m1, -(m0 * tx + m1 * ty), m3, m4, -(m3 * tx + m4 * ty)], 1).view(n, 2, 3)
        base, half_size = self._base_grid(h, w, x.dtype, x.device)
        grid = torch.matmul(base, theta.to(x.dtype).transpose(1, 2) / half_size).view(n, h, w, 2)
        # A channel of ones marks what comes from inside the image; torchvision blends the fill with it.
        sampled = F.grid_sample(torch.cat([x, torch.ones_like(x)], 1), grid, mode="bilinear", padding_mode="zeros",
                                align_corners=False)
        return sampled[:, :1] * sampled[:, 1:]

    @staticmethod
    def jitter(x, brightness, contrast, brightness_first):
        """ColorJitter's adjust_brightness / adjust_contrast with per-image factors, in a per-image order."""
        view = lambda t: t.view(-1, 1, 1, 1)  # noqa: E731

        def bright(t):
            return (view(brightness.to(t.dtype)) * t).clamp(0.0, 1.0)

        def contrast_(t):
            mean = t.mean(dim=(-3, -2, -1), keepdim=True)
            return (view(contrast.to(t.dtype)) * t + view((1.0 - contrast).to(t.dtype)) * mean).clamp(0.0, 1.0)

        if brightness is None:
            return contrast_(x)
        if contrast is None:
            return bright(x)
        return torch.where(view(brightness_first), contrast_(bright(x)), bright(contrast_(x)))


def epoch_generator(seed, epoch, stream=0):
    """A CPU generator for one epoch's draws: the same on every process, independent of the process count."""
    g = torch.Generator()
    g.manual_seed(mix_seed(seed, epoch, stream))
    return g


def mix_seed(*values):
    """A 63-bit seed from a few integers (splitmix64 steps), so nearby seeds/epochs give unrelated streams."""
    h = 0x9E3779B97F4A7C15
    for v in values:
        h = (h ^ (int(v) & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        h = (h ^ (h >> 31)) * 0x94D049BB133111EB & 0xFFFFFFFFFFFFFFFF
    return h & 0x7FFFFFFFFFFFFFFF
