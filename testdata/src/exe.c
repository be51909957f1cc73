/* Entry point of every test .exe under testdata/: it does nothing and returns 0.
   Linked with -nostdlib -nostartfiles, so the image has no imports and no CRT. */
int entry(void)
{
    return 0;
}
