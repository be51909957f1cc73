/* Entry point of every test .dll under testdata/: accept every attach/detach.
   Linked with -shared -nostdlib -nostartfiles, so the image has no imports and no CRT. */
int __stdcall DllMain(void *instance, unsigned long reason, void *reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return 1;
}
