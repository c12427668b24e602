/* relro.c: make the data the start-up relocated read-only. The linker marks
 * it (PT_GNU_RELRO) and glibc's start-up protects it, but musl's static
 * start-up does not, so pidone does it itself, first thing in main. */
#include "pidone.h"

#include <link.h>
#include <sys/auxv.h>
#include <sys/mman.h>

extern const ElfW(Ehdr) __ehdr_start; /* provided by the linker */

int relro_protect(void)
{
	const char *image = (const char *)&__ehdr_start;
	const ElfW(Phdr) *ph = (const void *)(image + __ehdr_start.e_phoff);
	uintptr_t page = getauxval(AT_PAGESZ), bias = (uintptr_t)image;

	for (int i = 0; i < __ehdr_start.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			bias -= ph[i].p_vaddr; /* 0 for a PIE, the link address if not */
	for (int i = 0; i < __ehdr_start.e_phnum; i++) {
		uintptr_t start, end;

		if (ph[i].p_type != PT_GNU_RELRO)
			continue;
		start = (bias + ph[i].p_vaddr) & ~(page - 1);
		end = (bias + ph[i].p_vaddr + ph[i].p_memsz) & ~(page - 1);
		if (end <= start)
			continue;
		if (mprotect((void *)start, end - start, PROT_READ) != 0) {
			say_errno("mprotect RELRO");
			return -1;
		}
	}
	return 0;
}
