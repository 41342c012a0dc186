//! Finding and reading QR codes in camera frames (RGBA pixels), with quircs (a Rust port of
//! quirc). Runs in the host's scanner web worker; pure, so it is tested natively on rendered
//! codes. A [`QrScanner`] keeps its buffers from one frame to the next: a webcam sends the same
//! size of frame many times a second, and each new 1.2 MB buffer would cost as much as the
//! thresholding does.

/// A QR reader for a stream of frames: the grey image and quirc's pixel, region and capstone
/// buffers are allocated once and reused.
#[derive(Default)]
pub struct QrScanner {
    decoder: quircs::Quirc,
    grey: Vec<u8>,
}

impl QrScanner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every QR text found in an RGBA frame of `width` × `height` pixels, in the order quirc
    /// finds them. Unreadable grids and texts that are not UTF-8 are skipped: the next frame
    /// gets another chance.
    pub fn scan_rgba(&mut self, width: usize, height: usize, rgba: &[u8]) -> Vec<String> {
        let Some(pixels) = width.checked_mul(height) else {
            return Vec::new();
        };
        if pixels == 0 || rgba.len() < pixels * 4 {
            return Vec::new();
        }
        self.grey.clear();
        // ITU-R BT.601 luma in integers (weights sum to 1024, so the shift divides exactly).
        self.grey.extend(
            rgba[..pixels * 4].chunks_exact(4).map(|p| {
                ((u32::from(p[0]) * 306 + u32::from(p[1]) * 601 + u32::from(p[2]) * 117) >> 10) as u8
            }),
        );
        self.decoder
            .identify(width, height, &self.grey)
            .filter_map(|code| code.ok()?.decode().ok())
            .filter_map(|data| String::from_utf8(data.payload).ok())
            .collect()
    }
}

/// Every QR text in one RGBA frame (a fresh [`QrScanner`]; a stream of frames should keep one).
pub fn decode_rgba(width: usize, height: usize, rgba: &[u8]) -> Vec<String> {
    QrScanner::new().scan_rgba(width, height, rgba)
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
    fn reads_a_full_hand_in_chunk_at_three_and_two_pixels_a_module() {
        // A hand-in chunk at its largest (QR_CHUNK_BYTES of envelope in base45): version 25.
        let text = format!("PQ1:{}", "ABC123 $%*+-./:".repeat(91));
        for scale in [3, 2] {
            assert_eq!(
                decode_rgba(640, 480, &frame(&text, scale)),
                vec![text.clone()],
                "{scale} px"
            );
        }
    }

    #[test]
    fn one_scanner_reads_a_stream_of_frames_and_changing_sizes() {
        let mut scanner = QrScanner::new();
        let texts: Vec<String> = (0..4)
            .map(|i| format!("PQ1:{i}{}", "K".repeat(200 + i * 50)))
            .collect();
        for text in &texts {
            assert_eq!(scanner.scan_rgba(640, 480, &frame(text, 3)), vec![text.clone()]);
        }
        assert!(scanner.scan_rgba(640, 480, &vec![255; 640 * 480 * 4]).is_empty());
        // A smaller frame after the larger ones (rows 120..360 of a frame with a small code in
        // its centre): the buffers follow the size.
        let small = "PQ1:SMALL";
        let rows = &frame(small, 3)[640 * 120 * 4..640 * 360 * 4];
        assert_eq!(scanner.scan_rgba(640, 240, rows), vec![small.to_owned()]);
        assert_eq!(
            scanner.scan_rgba(640, 480, &frame(&texts[1], 3)),
            vec![texts[1].clone()]
        );
    }

    #[test]
    fn an_empty_frame_a_short_buffer_or_an_absurd_size_gives_nothing() {
        assert!(decode_rgba(640, 480, &vec![255; 640 * 480 * 4]).is_empty());
        assert!(decode_rgba(640, 480, &[0; 10]).is_empty());
        assert!(decode_rgba(0, 480, &[]).is_empty());
        assert!(decode_rgba(usize::MAX, 2, &[0; 16]).is_empty());
    }
}
