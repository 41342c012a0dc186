//! Finding and reading QR codes in one camera frame (RGBA pixels), with rqrr. Runs in the
//! host's scanner web worker; pure, so it is tested natively on rendered codes.

/// Every QR text found in an RGBA frame of `width` × `height` pixels. Unreadable grids are
/// skipped: the next frame gets another chance.
pub fn decode_rgba(width: usize, height: usize, rgba: &[u8]) -> Vec<String> {
    if width == 0 || height == 0 || rgba.len() < width * height * 4 {
        return Vec::new();
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let i = (y * width + x) * 4;
        // ITU-R BT.601 luma in integers.
        ((u32::from(rgba[i]) * 299 + u32::from(rgba[i + 1]) * 587 + u32::from(rgba[i + 2]) * 114) / 1000)
            as u8
    });
    image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sample::qr_frame as frame;

    #[test]
    fn reads_a_ballot_sized_code_from_a_vga_frame() {
        let text = format!("PY1:{}", "ABC123 $%*+-./:".repeat(30));
        assert_eq!(decode_rgba(640, 480, &frame(&text, 5)), vec![text]);
    }

    #[test]
    fn an_empty_frame_or_a_short_buffer_gives_nothing() {
        assert!(decode_rgba(640, 480, &vec![255; 640 * 480 * 4]).is_empty());
        assert!(decode_rgba(640, 480, &[0; 10]).is_empty());
    }
}
