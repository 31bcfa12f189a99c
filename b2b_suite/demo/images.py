# This file is part of the B2B wholesale suite.
"""The pictures of the small set's products, drawn with Pillow: the
colour of the product's category, the initials of its item and its code.
Small JPEGs, the same on every run; the large set has none (the portal
shows a placeholder)."""
import io

from PIL import Image, ImageDraw, ImageFont

from .generate import ASCII

SIZE = 400
# one colour per category, in the order of the catalogue
COLOURS = [
    '#c7822b', '#2b7cc7', '#c72b6a', '#6b4a2b', '#2bb3a0', '#7f5bd6',
    '#4a6b8a', '#a08a5b', '#e0a800', '#5b7f3a', '#d65b2b', '#8a8f98']


def _tint(colour, share):
    "Return the colour mixed with white (share of the colour, 0 to 1)"
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(round(255 - (255 - c) * share) for c in (red, green, blue))


def product_picture(category_index, item, code):
    """Return the JPEG of a product: its category's colour (by the index of
    the category in the catalogue), the initials of its item and its
    code"""
    colour = COLOURS[category_index % len(COLOURS)]
    picture = Image.new('RGB', (SIZE, SIZE), _tint(colour, 0.15))
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle((70, 50, SIZE - 70, SIZE - 110), radius=28,
        fill=colour)
    # the default font may lack Polish letters: their ASCII forms
    initials = ''.join(word[0] for word in item.translate(ASCII).split()
        if word[0].isalpha())[:2].upper()
    draw.text((SIZE / 2, (SIZE - 60) / 2), initials, fill='white',
        font=ImageFont.load_default(size=110), anchor='mm')
    draw.text((SIZE / 2, SIZE - 55), code, fill='#1d2430',
        font=ImageFont.load_default(size=36), anchor='mm')
    data = io.BytesIO()
    picture.save(data, format='jpeg', quality=80)
    return data.getvalue()
