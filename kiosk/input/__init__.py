"""Text input for the touchscreen: pinyin to Chinese characters (`pinyin`, `dictionary`)."""
