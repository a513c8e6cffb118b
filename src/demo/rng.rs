//! A small deterministic generator (xorshift64*), so that demo data is the same on every run.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..hi` (hi exclusive; hi > lo).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo) as u64) as i64
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: i64) -> bool {
        self.range(0, 100) < percent
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let (mut a, mut b) = (super::Rng::new(7), super::Rng::new(7));
        assert_eq!(
            (0..5).map(|_| a.range(0, 100)).collect::<Vec<_>>(),
            (0..5).map(|_| b.range(0, 100)).collect::<Vec<_>>()
        );
        assert!((0..1000).map(|_| a.range(5, 10)).all(|x| (5..10).contains(&x)));
    }
}
